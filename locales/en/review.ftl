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

admin-nav-reviews = Review
admin-review-status-pending-review = Waiting for review
admin-review-status-accepted = Accepted
admin-review-status-rejected = Rejected
admin-review-open = Review
admin-review-title = Review
admin-review-replaces = A new decision replaces this one; both stay in the history.
admin-review-state = Review
admin-review-reason = Reason
admin-review-note = Note
admin-review-decided = Decided
admin-review-decided-by = { $who }, { $when }
admin-review-decision = Decision
admin-review-accept = Accept
admin-review-reject = Reject
admin-review-reason-if-rejected = Reason (needed to reject; the buyer is told)
admin-review-reason-none = (none)
admin-review-note-label = Note (optional)
admin-review-submit = Record decision
admin-review-back-to-queue = Back to the review queue
admin-flash-document-accepted = The document was accepted.
admin-flash-document-rejected = The document was rejected; the buyer is told by email.
admin-review-queue-title = Review queue
admin-review-queue-explain = Uploads waiting for a decision, oldest first.
admin-review-queue-filter-label = Filter the queue
admin-review-queue-empty = Nothing waits for review.
admin-review-queue-caption = Documents waiting for review, oldest first
admin-review-queue-first = First page

email-rejected-subject = { $seller }: please upload a document again
email-rejected-greeting = Hello,
email-rejected-intro = { $organisation } checked the documents { $company } uploaded for { $seller } and could not accept the one below. Please upload a new version on the secure upload page.
email-rejected-button = Upload a new version
email-rejected-link-hint = If the button does not work, copy this link into your browser:
email-rejected-expiry = The link is valid until { $date }.
email-rejected-help = Questions? Write to { $contact }.
email-rejected-ignore = If you did not expect this email, you can ignore it.
email-rejected-signature = Kind regards, { $organisation }

portal-state-rejected = Not accepted: { $file } ({ $reason }).
portal-state-rejected-again = Please upload a new version.

admin-settings-four-eyes = Four-eyes review
admin-settings-four-eyes-hint = When on, a staff member's decision on a document counts only once a second staff member makes the same decision. Decisions sent through the API count at once.
admin-flash-document-proposed = The decision was noted; it counts once a second reviewer confirms it.
admin-review-proposal = Waiting for a second reviewer
admin-review-proposed-by = { $decision }, proposed by { $who }, { $when }
admin-review-proposal-hint = Another staff member confirms it by making the same decision; a different decision replaces the proposal.

admin-today-reviews = Waiting for review
admin-today-reviews-hint = Uploads wait for a staff decision before they count: work through them in the review queue.
