# The citation tables moved to the sources app (sources/migrations/0001_initial.py renames them):
# here they only leave this app's model state; no table is touched.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_search'),
        ('sources', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalquotecitation',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalquotecitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='historicalquotecitation',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='historicalreportcitation',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalreportcitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='historicalreportcitation',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='membershipcitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='membershipcitation',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='quotecitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='quotecitation',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='reportcitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='reportcitation',
                    name='subject',
                ),
                migrations.DeleteModel(
                    name='HistoricalMembershipCitation',
                ),
                migrations.DeleteModel(
                    name='HistoricalQuoteCitation',
                ),
                migrations.DeleteModel(
                    name='HistoricalReportCitation',
                ),
                migrations.DeleteModel(
                    name='MembershipCitation',
                ),
                migrations.DeleteModel(
                    name='QuoteCitation',
                ),
                migrations.DeleteModel(
                    name='ReportCitation',
                ),
            ],
        ),
    ]
