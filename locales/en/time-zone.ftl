rule-time-zone = { $field }: choose a time zone from the list, such as Europe/Berlin.
admin-settings-time-zone = Time zone
admin-settings-time-zone-hint = Every time on the staff pages, in emails and in the KYC profile is shown in this zone (an IANA name such as Europe/Berlin or Europe/Vienna).
admin-settings-error-time-zone = Please choose a time zone from the list.
