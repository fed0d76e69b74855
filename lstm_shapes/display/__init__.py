"""Display: tables as text, PNG pictures and atomic files -- each written once for every layer above."""
