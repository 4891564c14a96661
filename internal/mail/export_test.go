package mail

// Logged is logged, for the tests.
var Logged = logged
