// Shell words and global settings shared by every session.
var DBQuery = function () {};
DBQuery.shellBatchSize = 20;
