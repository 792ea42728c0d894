## Staff review of documents

rule-rejection-needs-reason = Say why the document is rejected: the buyer is told.

review-reason-UNREADABLE = Unreadable
review-reason-WRONG_DOCUMENT = Wrong document
review-reason-EXPIRED = Expired
review-reason-NAME_MISMATCH = Name or company does not match
review-reason-INCOMPLETE = Incomplete
review-reason-OTHER = Other

admin-settings-require-review = Documents need staff approval
admin-settings-require-review-hint = When on, only the latest accepted version of each document type counts; a newer upload waits for review without undoing an accepted one.
