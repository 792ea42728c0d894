admin-vies-retrying-next = VIES has not answered yet ({ $attempts } attempts so far); the portal asks again by itself, next at { $next }.
