# Citations and mentions moved here from reports and events, which they depend on: the tables are
# renamed (rows, ids and history kept) and the content types follow, so permissions and admin log
# entries stay attached. On a new database the tables were made by the older migrations a moment ago.
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED = {
    "reports": ["reportcitation", "membershipcitation", "quotecitation"],
    "events": ["eventcitation", "participantcitation", "mention"],
}
# Mentions keep no history; every citation table has its history table.
TABLES = [
    (f"{app}_{prefix}{model}", f"sources_{prefix}{model}")
    for app, model_names in MOVED.items()
    for model in model_names
    for prefix in (("", "historical") if model != "mention" else ("",))
]


def move_content_types(apps, schema_editor, *, forward=True):
    content_type = apps.get_model("contenttypes", "ContentType")
    for app, model_names in MOVED.items():
        names = [prefix + model for model in model_names for prefix in ("", "historical")]
        old, new = (app, "sources") if forward else ("sources", app)
        content_type.objects.using(schema_editor.connection.alias).filter(app_label=old, model__in=names).update(
            app_label=new
        )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('actors', '0002_search'),
        ('events', '0002_search'),
        ('reports', '0002_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'ALTER TABLE "{old}" RENAME TO "{new}"' for old, new in TABLES],
                    [f'ALTER TABLE "{new}" RENAME TO "{old}"' for old, new in TABLES],
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalEventCitation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='events.event')),
                    ],
                    options={
                        'verbose_name': 'historical event citation',
                        'verbose_name_plural': 'historical event citations',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalMembershipCitation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actors.membership')),
                    ],
                    options={
                        'verbose_name': 'historical membership citation',
                        'verbose_name_plural': 'historical membership citations',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalParticipantCitation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='events.participant')),
                    ],
                    options={
                        'verbose_name': 'historical participant citation',
                        'verbose_name_plural': 'historical participant citations',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalQuoteCitation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.quote')),
                    ],
                    options={
                        'verbose_name': 'historical quote citation',
                        'verbose_name_plural': 'historical quote citations',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalReportCitation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.report')),
                    ],
                    options={
                        'verbose_name': 'historical report citation',
                        'verbose_name_plural': 'historical report citations',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='EventCitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='citations', to='events.event')),
                    ],
                    options={
                        'ordering': ['source', 'start'],
                        'abstract': False,
                        'constraints': [models.UniqueConstraint(fields=('subject', 'source', 'start'), name='eventcitation_unique_passage'), models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='eventcitation_end_after_start')],
                    },
                ),
                migrations.CreateModel(
                    name='MembershipCitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='citations', to='actors.membership')),
                    ],
                    options={
                        'ordering': ['source', 'start'],
                        'abstract': False,
                        'constraints': [models.UniqueConstraint(fields=('subject', 'source', 'start'), name='membershipcitation_unique_passage'), models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='membershipcitation_end_after_start')],
                    },
                ),
                migrations.CreateModel(
                    name='Mention',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('start', models.PositiveIntegerField()),
                        ('end', models.PositiveIntegerField()),
                        ('text', models.CharField(help_text='The words of the span, as in the text.', max_length=300)),
                        ('origin', models.CharField(choices=[('linked', 'found by linking'), ('curated', 'added by a curator')], default='curated', max_length=10)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='mentions', to='actors.actor')),
                        ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='mentions', to='events.event')),
                        ('mentioned_report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='mentioned_in', to='reports.report')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentions', to='reports.report')),
                    ],
                    options={
                        'ordering': ['report', 'start'],
                        'indexes': [models.Index(fields=['actor', 'report'], name='mention_actor_idx')],
                        'constraints': [models.UniqueConstraint(fields=('report', 'start', 'end'), name='mention_unique_span'), models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='mention_end_after_start'), models.CheckConstraint(condition=models.Q(models.Q(('actor__isnull', False), ('event__isnull', True), ('mentioned_report__isnull', True)), models.Q(('actor__isnull', True), ('event__isnull', True), ('mentioned_report__isnull', False)), models.Q(('actor__isnull', True), ('event__isnull', False), ('mentioned_report__isnull', True)), _connector='OR'), name='mention_names_one_target', violation_error_message='A mention names exactly one actor, report or event.')],
                    },
                ),
                migrations.CreateModel(
                    name='ParticipantCitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='citations', to='events.participant')),
                    ],
                    options={
                        'ordering': ['source', 'start'],
                        'abstract': False,
                        'constraints': [models.UniqueConstraint(fields=('subject', 'source', 'start'), name='participantcitation_unique_passage'), models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='participantcitation_end_after_start')],
                    },
                ),
                migrations.CreateModel(
                    name='QuoteCitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='citations', to='reports.quote')),
                    ],
                    options={
                        'ordering': ['source', 'start'],
                        'abstract': False,
                        'constraints': [models.UniqueConstraint(fields=('subject', 'source', 'start'), name='quotecitation_unique_passage'), models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='quotecitation_end_after_start')],
                    },
                ),
                migrations.CreateModel(
                    name='ReportCitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rank', models.CharField(choices=[('preferred', 'preferred'), ('normal', 'normal'), ('deprecated', 'deprecated')], default='normal', max_length=10)),
                        ('rank_reason', models.CharField(blank=True, help_text='Why this claim is preferred or deprecated over the others.', max_length=300)),
                        ('passage', models.TextField(help_text='The exact words of the source that state the fact.')),
                        ('start', models.PositiveIntegerField(blank=True, help_text="Character offset of the passage in the source's text; found if left blank.", null=True)),
                        ('end', models.PositiveIntegerField(blank=True, null=True)),
                        ('confidence', models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', max_length=6)),
                        ('claim', models.CharField(blank=True, help_text='The fact the passage supports, e.g. start, role, place.', max_length=100)),
                        ('value', models.CharField(blank=True, help_text='What the source says, where it differs from the stored value.', max_length=300)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.report')),
                        ('subject', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='citations', to='reports.report')),
                    ],
                    options={
                        'ordering': ['source', 'start'],
                        'abstract': False,
                        'constraints': [models.UniqueConstraint(fields=('subject', 'source', 'start'), name='reportcitation_unique_passage'), models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='reportcitation_end_after_start')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
