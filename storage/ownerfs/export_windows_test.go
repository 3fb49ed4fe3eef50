package ownerfs

// Exposure is exposure, for the tests of access lists held in memory.
var Exposure = exposure
