-- A document version may carry several files (the pages of an extract, an ID's front and
-- back). The row keeps describing the first file, so every reader of one file keeps working;
-- the files after it are listed here as a JSON array of
-- {fileName, contentType, sizeBytes, sha256, blobKey}, written once with the row (NULL: one file).
ALTER TABLE documents ADD COLUMN more_files TEXT;
