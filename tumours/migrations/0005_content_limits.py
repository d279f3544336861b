# Per-field limits and control-character checks (issue 10), applied by every form and full_clean().

import markdownx.models
import tumours.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tumours', '0004_editorial_drafts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='section',
            name='body',
            field=markdownx.models.MarkdownxField(help_text="The section's text. Markdown; the preview shows exactly what visitors see.", validators=[tumours.validators.validate_section_body]),
        ),
        migrations.AlterField(
            model_name='section',
            name='heading',
            field=models.CharField(help_text="Shown as the section's heading, e.g. Treatment.", max_length=200, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='source',
            name='publisher',
            field=models.CharField(blank=True, help_text='e.g. Wikipedia.', max_length=200, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='source',
            name='title',
            field=models.CharField(help_text="The cited work's title, e.g. Leiomyosarcoma.", max_length=300, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='testkit',
            name='description',
            field=markdownx.models.MarkdownxField(help_text='Shown in the kit box on every tumour page that offers this kit. Markdown.', validators=[tumours.validators.validate_kit_description]),
        ),
        migrations.AlterField(
            model_name='testkit',
            name='name',
            field=models.CharField(help_text="The kit's name as sold, e.g. Oncofocus.", max_length=100, unique=True, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='also_known_as',
            field=models.CharField(blank=True, help_text='Other names and abbreviations, separated by commas, e.g. LMS.', max_length=500, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='name',
            field=models.CharField(help_text='The name patients and clinicians know it by, e.g. Leiomyosarcoma.', max_length=200, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='reviewed_by',
            field=models.CharField(blank=True, editable=False, help_text="The approving reviewer's name and role as shown to the public, from their reviewer profile when they approved a clinical review.", max_length=250, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='summary',
            field=markdownx.models.MarkdownxField(help_text='The lead paragraphs shown above the sections. Markdown.', validators=[tumours.validators.validate_summary]),
        ),
    ]
