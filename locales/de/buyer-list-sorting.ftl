# Die Käuferliste der Mitarbeitenden: ihre Reihenfolge.
admin-buyers-sort = Sortieren nach
admin-buyers-sort-newest = Neueste zuerst
admin-buyers-sort-name = Firmenname (A–Z)
admin-buyers-sort-activity = Letzte Aktivität (neueste zuerst)
admin-buyers-caption-name = Käufer, Firmenname A–Z (Seite { $page })
admin-buyers-caption-activity = Käufer, letzte Aktivität zuerst (Seite { $page })
