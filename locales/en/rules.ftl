# What the domain's rules, conflicts and refusals say on the pages. { $field } is the field's
# name in the page's language.

rule-required = { $field }: please fill this in.
rule-too-long = { $field }: this is too long (at most { $max } characters).
rule-control-characters = { $field }: please use a single line of plain text.
rule-one-of = { $field }: please choose one of the offered values ({ $allowed }).
rule-between = { $field }: please enter a number from { $min } to { $max }.
rule-days = { $field }: please enter a whole number of days from { $min } to { $max }.
rule-days-or-empty = { $field }: please enter a whole number of days from { $min } to { $max }, or leave it empty.
rule-at-least = { $field }: please enter at least { $min }.
rule-too-many = { $field }: at most { $max } entries are possible.
rule-too-short = { $field }: please use at least { $min } characters.
rule-date = { $field }: please enter a date.
rule-date-in-future = { $field }: the date cannot be in the future.
rule-date-too-early = { $field }: please enter a date after 1900.
rule-too-old-to-count = { $field }: a document of this type counts for { $days } days from its date, so this one is too old. Please upload a more recent one.
rule-vat-empty = { $field }: please enter the VAT number with its country code, for example DE123456789.
rule-vat-greece = { $field }: Greek VAT numbers start with EL, not GR.
rule-vat-britain = { $field }: British VAT numbers are not in VIES; only Northern Irish ones, starting with XI.
rule-vat-prefix = { $field }: “{ $prefix }” is not the country code of an EU VAT number.
rule-vat-shape = { $field }: this is not the format of a VAT number from { $prefix }.
rule-email = { $field }: this is not a valid email address.
rule-country = { $field }: please enter a two-letter ISO country code such as DE.
rule-phone = { $field }: please use only digits, spaces and + - ( ) / .
rule-colour = { $field }: please choose a colour.
rule-colour-too-light = { $field }: this colour is too light for white text on it; please choose a darker one.
rule-link = { $field }: please enter a link starting with https:// or http://.
rule-url = { $field }: please enter an address starting with https:// or http://.
rule-url-internal = { $field }: this address is inside a private network; webhooks go only to addresses on the public Internet.
rule-no-events = { $field }: please choose at least one event.
rule-unknown-document-type = { $field }: this document type does not exist.
rule-immutable = { $field }: this cannot be changed.
rule-unknown-field = { $field }: this field does not exist.
rule-mode-downgrade = { $field }: the mode can only change from marketplace-led to NT24-led, never back.
rule-malformed = { $field }: this value has the wrong form.
rule-file-refused = This file cannot be accepted. Please upload a PDF, JPEG or PNG document (no other formats, no PDFs with scripts or attachments).
rule-file-password = This PDF is protected with a password. Please upload a copy without a password.
rule-one-file = { $field }: please send one file at a time.
rule-unknown-seller = { $field }: this seller does not exist.
rule-cursor = { $field }: this page does not exist; please start from the first page.
rule-idempotency-key = { $field }: this key cannot be used for this request.
rule-logo-kind = { $field }: please choose a PNG or JPEG image.
rule-no-contact = The buyer has no contact to send the link to.
rule-archived-stays = An archived document stays archived.
rule-version = { $field }: please reload the page and try again.

conflict-buyer-blocked = The buyer is blocked; this is not possible now.
conflict-buyer-exists = This seller already has a buyer with this VAT number, with other details. Open it to change it.
conflict-changed = Someone changed this after you opened the page. Nothing was saved. Reload the page and try again.
conflict-email-taken = A staff user with this email exists already.
conflict-yourself = You cannot change your own account here.
conflict-invitation-not-active = This invitation is no longer active. Please create a new one.
conflict-not-nt24-led = Identity verification is only for NT24-led buyers.
conflict-verification-in-review = The buyer's verification waits for a staff review.
conflict-already-verified = The buyer is verified already.
conflict-nothing-to-review = No verification of this buyer waits for a review.
conflict-not-verified = A KYC profile is issued only for a verified buyer.
conflict-key-in-flight = The same request is still being processed. Please try again in a moment.

forbidden-marketplace-led = The organisation does not allow marketplace-led KYC. Choose NT24-led.
forbidden-token = This API token may not do this.
forbidden-admins-only = Only administrators may do this.
forbidden-stale-form = The form has expired. Please reload the page and try again.

unavailable-provider-not-configured = Identity verification is not set up.
unavailable-provider = The identity verification provider could not be reached. Please try again later.
unavailable-busy = Too many people are signing in right now. Please try again in a moment.
