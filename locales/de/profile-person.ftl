# Die Person, die die Identitätsprüfung bestätigt hat, im signierten KYC-Profil.
profile-person = Geprüfte Person
profile-person-name = Name (laut Ausweisdokument)
profile-person-birth-date = Geburtsdatum
profile-person-role = Geprüft als
profile-person-role-buyer-contact = Ansprechpartner des Käufers
profile-person-not-recorded = Nicht erfasst (geprüft, bevor das Portal den Namen speicherte)
