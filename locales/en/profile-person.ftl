# The person the identity verification verified, on the signed KYC profile.
profile-person = Verified person
profile-person-name = Name (as on the identity document)
profile-person-birth-date = Date of birth
profile-person-role = Verified as
profile-person-role-buyer-contact = Contact person of the buyer
profile-person-not-recorded = Not recorded (verified before the portal kept the name)
