"""`insieme makemessages`: Django's command, writing catalogues that merge well.

Entries are sorted by message and carry no file:line locations, so two branches that each add
strings touch different lines of `django.po` instead of rewriting every location comment; and
entries no longer in the code are dropped, not kept as obsolete (`#~`) comments.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--sort-output", "--no-location"]
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--sort-output", "--no-location"]
    msguniq_options = [*makemessages.Command.msguniq_options, "--sort-output", "--no-location"]
    msgattrib_options = [*makemessages.Command.msgattrib_options, "--sort-output", "--no-location"]

    def handle(self, *args, **options):
        options["no_obsolete"] = True
        return super().handle(*args, **options)
