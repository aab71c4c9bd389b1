namespace DistCacheAkka.ClientProxy;
