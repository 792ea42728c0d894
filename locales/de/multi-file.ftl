# Ein Dokument aus mehreren Dateien (die Seiten eines Auszugs, Vorder- und Rückseite eines Ausweises).
rule-too-many-files = { $field }: Bitte senden Sie höchstens { $max } Dateien für ein Dokument.
rule-pdf-alone = { $field }: Ein PDF wird allein gesendet. Mehrere Dateien für ein Dokument müssen Fotos sein (JPEG oder PNG).
portal-files-hint = Mehrere Seiten oder Vorder- und Rückseite eines Ausweises? Wählen Sie alle Fotos auf einmal aus (JPEG oder PNG, bis zu { $max }); sie werden als ein Dokument gespeichert. Die Größengrenze gilt für alle zusammen.
portal-error-too-many-files = Bitte wählen Sie höchstens { $max } Dateien für ein Dokument.
portal-files-named = { $file } ({ $count } Dateien)
portal-error-pdf-alone = Ein PDF wird allein gesendet. Für mehrere Seiten wählen Sie Fotos (JPEG oder PNG) oder ein PDF, das alle Seiten enthält.
