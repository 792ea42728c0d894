# The staff's buyer list: its order.
admin-buyers-sort = Sort by
admin-buyers-sort-newest = Newest first
admin-buyers-sort-name = Company name (A–Z)
admin-buyers-sort-activity = Last activity (most recent first)
admin-buyers-caption-name = Buyers, company name A–Z (page { $page })
admin-buyers-caption-activity = Buyers, most recent activity first (page { $page })
