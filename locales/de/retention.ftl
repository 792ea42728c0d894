conflict-buyer-ended = Die Geschäftsbeziehung mit diesem Käufer ist beendet; nehmen Sie sie zuerst wieder auf.
conflict-buyer-not-ended = Die Geschäftsbeziehung mit diesem Käufer ist nicht beendet.
conflict-buyer-on-hold = Der Käufer unterliegt einer Aufbewahrungssperre; seine Unterlagen dürfen nicht gelöscht werden.
conflict-buyer-erased = Die personenbezogenen Daten dieses Käufers wurden gelöscht.
portal-unavailable-ended = Dieser Link funktioniert nicht mehr: Die Geschäftsbeziehung ist beendet.
admin-event-kyc-buyer-erased = Die personenbezogenen Daten eines Käufers wurden gelöscht (Aufbewahrungsfrist abgelaufen oder auf Antrag).
