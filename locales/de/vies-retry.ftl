admin-vies-retrying-next = VIES hat noch nicht geantwortet (bisher { $attempts } Versuche); das Portal fragt von selbst erneut, das nächste Mal am { $next }.
