"""Text: which script a line is written in (`scripts`), Tibetan and Chinese writing (`tibetan`,
`chinese`), fastText's second opinion (`langid`) and the character error rate (`cer`). Facts about
text only: nothing here knows of cues, tracks or profiles."""
