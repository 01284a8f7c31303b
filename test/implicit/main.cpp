#define BOOST_TEST_MODULE frechet implicit
#include <boost/test/unit_test.hpp>
