from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    error_messages = {
        # One message for every failure, so the page never reveals whether an account exists.
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }

    username = forms.CharField(label="Username", max_length=150)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        max_length=12,
        strip=True,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) not in (6, 8):
            raise forms.ValidationError(
                "Enter the 6-digit code from your authenticator app, or an 8-digit backup code"
            )
        return token
