-- a
SELECT 1; /* b */ SELECT 2
