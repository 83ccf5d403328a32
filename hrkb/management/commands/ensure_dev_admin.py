from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or reset) the local development admin login and print it. Refuses to run with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="hrkb-admin")
        parser.add_argument(
            "--admin-url", default="http://127.0.0.1:8000/admin/", help="Where the admin is served, to print."
        )

    def handle(self, *args, username, password, admin_url, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin is for development only; DEBUG is off. Use createsuperuser.")
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        action = "Created" if created else "Reset"
        self.stdout.write(
            self.style.SUCCESS(f"{action} the development admin: {admin_url}  user {username!r}  password {password!r}")
        )
