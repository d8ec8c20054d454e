// The three documented ways to drive a multi handle, each with many concurrent transfers.
#include <doctest/doctest.h>

#include "easy_fixture.h"
#include "test_server.h"
