# Ein Dokument aus mehreren Dateien (die Seiten eines Auszugs, Vorder- und Rückseite eines Ausweises).
rule-too-many-files = { $field }: Bitte senden Sie höchstens { $max } Dateien für ein Dokument.
rule-pdf-alone = { $field }: Ein PDF wird allein gesendet. Mehrere Dateien für ein Dokument müssen Fotos sein (JPEG oder PNG).
