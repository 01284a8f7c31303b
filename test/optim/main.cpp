#define BOOST_TEST_MODULE frechet optim
#include <boost/test/unit_test.hpp>
