conflict-buyer-ended = The business relationship with this buyer has ended; reopen it first.
conflict-buyer-not-ended = The business relationship with this buyer has not ended.
conflict-buyer-on-hold = The buyer is on legal hold; its records may not be erased.
conflict-buyer-erased = The personal data of this buyer has been erased.
portal-unavailable-ended = This link no longer works: the business relationship has ended.
admin-event-kyc-buyer-erased = A buyer's personal data was erased (retention period over, or on request).
