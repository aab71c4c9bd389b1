using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of a DistCacheAkka client.</summary>
public static class DistCacheHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the <see cref="IDistCacheClient"/> registered by <c>AddDistCache</c>: Healthy when it is
    /// connected and reaches every data node it knows, Degraded when some are unreachable, <paramref name="failureStatus"/> (default Unhealthy) when it is not connected or reaches
    /// none; the description says why. It asks the client, not the nodes, and waits at most 5 s.
    /// </summary>
    public static IHealthChecksBuilder AddDistCache(
        this IHealthChecksBuilder builder, string name = "distcache", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new DistCacheHealthCheck(provider.GetRequiredService<IDistCacheClient>()),
            failureStatus,
            tags,
            DistCacheHealthCheck.Timeout + TimeSpan.FromSeconds(1)));
    }
}
