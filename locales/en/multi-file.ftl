# A document version of several files (the pages of an extract, an ID's front and back).
rule-too-many-files = { $field }: please send at most { $max } files for one document.
rule-pdf-alone = { $field }: a PDF is sent on its own. Several files for one document must be photos (JPEG or PNG).
portal-files-hint = Several pages, or the front and back of an ID? Choose all photos at once (JPEG or PNG, up to { $max }); they are kept as one document. The size limit is for all of them together.
portal-error-too-many-files = Please choose at most { $max } files for one document.
portal-files-named = { $file } ({ $count } files)
portal-error-pdf-alone = A PDF is sent on its own. For several pages, choose photos (JPEG or PNG), or one PDF that holds every page.
