# The staff pages.
admin-product = KYC portal
admin-skip = Skip to content
admin-nav-label = Main
admin-nav-buyers = Buyers
admin-nav-webhooks = Webhooks
admin-nav-settings = Settings
admin-nav-users = Staff users
admin-logout = Sign out
admin-actions = Actions
admin-back-to-buyers = Back to the buyers
admin-back = Back

admin-login-title = Sign in
admin-login-email = Email
admin-login-password = Password
admin-login-submit = Sign in
admin-login-failed = The email or the password is wrong, or the account is disabled.
admin-login-too-many = Too many failed attempts. Please try again in { $minutes } minutes.
admin-login-busy = Too many people are signing in right now. Please try again in a moment.

admin-error-title = Something went wrong
admin-error-generic = The action could not be completed. Please try again; if it keeps failing, tell your administrator.
admin-error-form = The form has expired. Please reload the page and try again.
admin-error-not-found-title = Not found
admin-error-not-found = This page or record does not exist.
admin-error-forbidden-title = Not allowed
admin-error-forbidden = You may not do this, or the form has expired. Reload the page and try again; some pages are for administrators only.
admin-error-conflict-title = Not possible now
admin-error-conflict = This cannot be done in the current state. Reload the page to see the latest state.
admin-error-invalid-title = Please check your input
admin-error-invalid = Some of the input is not valid. Go back and correct it.

admin-users-title = Staff users
admin-users-list = Everyone who can sign in
admin-users-email = Email
admin-users-role = Role
admin-users-state = State
admin-users-role-admin = Administrator
admin-users-role-staff = Staff
admin-users-active = Active
admin-users-disabled = Disabled
admin-users-you = This is you
admin-users-make-admin = Make administrator
admin-users-make-staff = Make staff
admin-users-disable = Disable
admin-users-enable = Enable
admin-users-new = New staff user
admin-users-password = Password (at least 12 characters)
admin-users-create = Create user
admin-users-error-invalid = Please enter a valid email address and a password of at least { $min } characters.

admin-flash-user-created = The staff user was created.
admin-flash-user-role = The role was changed.
admin-flash-user-disabled = The user was disabled and signed out everywhere.
admin-flash-user-enabled = The user can sign in again.
admin-flash-user-self = You cannot change your own account here.
