namespace DistCacheAkka.CacheNode.Management;

/// <summary>The management endpoint could not listen on its address (port in use, address not local).</summary>
internal sealed class ManagementBindException(string message, Exception inner) : Exception(message, inner);
