#!/usr/bin/env python
from insieme.cli import main

if __name__ == "__main__":
    main()
