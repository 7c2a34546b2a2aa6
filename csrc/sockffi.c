/* sockffi's native half, one translation unit made of one file per topic
   (the conventions are in sockffi.h). Order matters: each file uses what the
   ones before it define. */
#include "sockffi.h"
#include "cells.c"
#include "names.c"
#include "setup.c"
#include "composed.c"
#include "data.c"
