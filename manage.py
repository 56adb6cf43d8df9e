#!/usr/bin/env python
from resilia.cli import main

if __name__ == "__main__":
    main()
