"""入户调查: the home visit of a case (看住房、查财产、问收支、访邻里)."""
