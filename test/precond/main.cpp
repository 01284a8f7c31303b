#define BOOST_TEST_MODULE frechet precond
#include <boost/test/unit_test.hpp>
