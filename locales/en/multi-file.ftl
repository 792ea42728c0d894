# A document version of several files (the pages of an extract, an ID's front and back).
rule-too-many-files = { $field }: please send at most { $max } files for one document.
rule-pdf-alone = { $field }: a PDF is sent on its own. Several files for one document must be photos (JPEG or PNG).
