# Die Seiten für Mitarbeitende.
admin-product = KYC-Portal
admin-skip = Zum Inhalt springen
admin-nav-label = Hauptnavigation
admin-nav-buyers = Käufer
admin-nav-webhooks = Webhooks
admin-nav-settings = Einstellungen
admin-nav-users = Mitarbeitende
admin-logout = Abmelden
admin-actions = Aktionen
admin-back-to-buyers = Zurück zu den Käufern
admin-back = Zurück

admin-login-title = Anmelden
admin-login-email = E-Mail
admin-login-password = Passwort
admin-login-submit = Anmelden
admin-login-failed = E-Mail oder Passwort sind falsch, oder das Konto ist deaktiviert.
admin-login-too-many = Zu viele Fehlversuche. Bitte versuchen Sie es in { $minutes } Minuten erneut.
admin-login-busy = Gerade melden sich sehr viele Personen an. Bitte versuchen Sie es gleich noch einmal.

admin-error-title = Etwas ist schiefgegangen
admin-error-generic = Die Aktion konnte nicht ausgeführt werden. Bitte versuchen Sie es erneut; wenn es weiter scheitert, wenden Sie sich an Ihre Administration.
admin-error-form = Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es erneut.
admin-error-not-found-title = Nicht gefunden
admin-error-not-found = Diese Seite oder dieser Datensatz existiert nicht.
admin-error-forbidden-title = Nicht erlaubt
admin-error-forbidden = Sie dürfen das nicht tun, oder das Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut; manche Seiten sind nur für Administratoren.
admin-error-conflict-title = Derzeit nicht möglich
admin-error-conflict = Das ist im aktuellen Zustand nicht möglich. Laden Sie die Seite neu, um den aktuellen Stand zu sehen.
admin-error-invalid-title = Bitte prüfen Sie Ihre Eingaben
admin-error-invalid = Einige Eingaben sind ungültig. Gehen Sie zurück und korrigieren Sie sie.

admin-users-title = Mitarbeitende
admin-users-list = Alle, die sich anmelden können
admin-users-email = E-Mail
admin-users-role = Rolle
admin-users-state = Status
admin-users-role-admin = Administrator
admin-users-role-staff = Mitarbeiter
admin-users-active = Aktiv
admin-users-disabled = Deaktiviert
admin-users-you = Das sind Sie
admin-users-make-admin = Zum Administrator machen
admin-users-make-staff = Zum Mitarbeiter machen
admin-users-disable = Deaktivieren
admin-users-enable = Aktivieren
admin-users-new = Neue Mitarbeiterin / neuer Mitarbeiter
admin-users-password = Passwort (mindestens 12 Zeichen)
admin-users-create = Anlegen
admin-users-error-invalid = Bitte geben Sie eine gültige E-Mail-Adresse und ein Passwort mit mindestens { $min } Zeichen ein.

admin-flash-user-created = Das Konto wurde angelegt.
admin-flash-user-role = Die Rolle wurde geändert.
admin-flash-user-disabled = Das Konto wurde deaktiviert und überall abgemeldet.
admin-flash-user-enabled = Das Konto kann sich wieder anmelden.
admin-flash-user-self = Ihr eigenes Konto können Sie hier nicht ändern.
