from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's Indonesian text repeats the field name ("nama pengguna nama pengguna").
        "invalid_login": _("Wrong username or password. Upper and lower case letters count."),
    }
