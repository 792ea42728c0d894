rule-time-zone = { $field }: Wählen Sie eine Zeitzone aus der Liste, etwa Europe/Berlin.
admin-settings-time-zone = Zeitzone
admin-settings-time-zone-hint = Alle Zeiten auf den Mitarbeiterseiten, in E-Mails und im KYC-Profil werden in dieser Zone angezeigt (ein IANA-Name wie Europe/Berlin oder Europe/Vienna).
admin-settings-error-time-zone = Bitte wählen Sie eine Zeitzone aus der Liste.
