"""A light Argon2 hasher used only while the demo creates its accounts.

Every demo account shares one password that the command prints, so a slow hash protects nothing
there, while fifty full-strength Argon2 hashes would take most of the load time. The hashes it
writes are ordinary Argon2 hashes with small parameters: the configured Argon2 hasher verifies
them and, because their parameters differ from its own, re-hashes them at full strength on the
first successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class DemoArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1


DEMO_HASHER = "insieme.demo.hashers.DemoArgon2PasswordHasher"
