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


class ChangePasswordForm(forms.Form):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter your current password"},
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter a new password"},
    )
    new_password_again = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter the new password again"},
    )

    def clean(self) -> dict[str, str]:
        cleaned = super().clean() or {}
        new, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "The two new passwords are not the same")
        return cleaned
