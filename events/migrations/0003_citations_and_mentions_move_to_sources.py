# The citation and mention tables moved to the sources app (sources/migrations/0001_initial.py renames
# them): here they only leave this app's model state; no table is touched.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0002_search'),
        ('sources', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicaleventcitation',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicaleventcitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='historicaleventcitation',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='historicalparticipantcitation',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalparticipantcitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='historicalparticipantcitation',
                    name='subject',
                ),
                migrations.RemoveField(
                    model_name='mention',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='mention',
                    name='event',
                ),
                migrations.RemoveField(
                    model_name='mention',
                    name='mentioned_report',
                ),
                migrations.RemoveField(
                    model_name='mention',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='participantcitation',
                    name='source',
                ),
                migrations.RemoveField(
                    model_name='participantcitation',
                    name='subject',
                ),
                migrations.DeleteModel(
                    name='EventCitation',
                ),
                migrations.DeleteModel(
                    name='HistoricalEventCitation',
                ),
                migrations.DeleteModel(
                    name='HistoricalParticipantCitation',
                ),
                migrations.DeleteModel(
                    name='Mention',
                ),
                migrations.DeleteModel(
                    name='ParticipantCitation',
                ),
            ],
        ),
    ]
