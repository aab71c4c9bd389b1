namespace DistCacheAkka.CacheNode.Demo;

internal static class DemoRunner
{
    public static Task<int> RunAsync(IReadOnlyList<string> args) => Task.FromResult(0);
}
