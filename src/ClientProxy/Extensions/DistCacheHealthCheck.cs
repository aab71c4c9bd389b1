using Akka.Actor;
using DistCacheAkka.ClientProxy.Actors;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DistCacheAkka.ClientProxy.Extensions;

/// <summary>
/// The application's view of the cluster: Healthy when its client is connected and reaches every data node it knows,
/// Degraded when some are unreachable (the others still serve their shards and the unreachable ones' backups
/// answer reads), Unhealthy when it is not connected or reaches none. It asks the client's proxy (no request to the
/// nodes), bounded by <see cref="Timeout"/>. Not checked: whether each shard has a primary right now.
/// </summary>
internal sealed class DistCacheHealthCheck(IDistCacheClient client) : IHealthCheck
{
    /// <summary>How long the check waits for the client's proxy.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await CheckAsync(cancellationToken).ConfigureAwait(false);
        // The registration's failure status (Unhealthy unless the application chose another) replaces Unhealthy.
        return result.Status == HealthStatus.Unhealthy && context.Registration is { } registration
            ? new HealthCheckResult(registration.FailureStatus, result.Description, result.Exception, result.Data)
            : result;
    }

    private async Task<HealthCheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var connected = client;
        if (client is DeferredDistCacheClient deferred)
        {
            switch (deferred.Phase)
            {
                case ConnectionPhase.NotStarted:
                    return HealthCheckResult.Unhealthy("The DistCacheAkka client has not started connecting (the host has not started and nothing used it yet).");
                case ConnectionPhase.Connecting:
                    return HealthCheckResult.Unhealthy("The DistCacheAkka client is still connecting to the cluster.");
                case ConnectionPhase.Failed:
                    return HealthCheckResult.Unhealthy($"The DistCacheAkka client could not connect: {deferred.Failure?.Message}", deferred.Failure);
                case ConnectionPhase.Disposed:
                    return HealthCheckResult.Unhealthy("The DistCacheAkka client was disposed (the host is stopping).");
            }

            connected = deferred.Connected!;
        }

        if (connected is not IClientProxyAccess access)
            return await ByStatsAsync(connected, cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await access.Proxy.Ask<ConnectionState>(GetConnectionState.Instance, Timeout, cancellationToken).ConfigureAwait(false);
            var topology = await access.Proxy.Ask<ClientTopologySnapshot>(GetClientTopology.Instance, Timeout, cancellationToken).ConfigureAwait(false);
            return Evaluate(state, topology);
        }
        catch (AskTimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The DistCacheAkka client's proxy did not answer within {Timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>The verdict for a client's connection state and topology (pure, for tests).</summary>
    public static HealthCheckResult Evaluate(ConnectionState state, ClientTopologySnapshot topology)
    {
        var nodes = topology.DataNodes;
        var unreachable = nodes.Where(topology.Unreachable.Contains).ToList();
        var data = new Dictionary<string, object>
        {
            ["dataNodes"] = nodes.Count,
            ["unreachable"] = unreachable.Count,
            ["shardsPlaced"] = topology.Owners.Count,
        };
        if (!state.Connected)
            return HealthCheckResult.Unhealthy(state.HeardFromCluster
                ? $"No data node is reachable: {nodes.Count} known, unreachable: {string.Join(", ", unreachable.DefaultIfEmpty("none reported; their gateways do not answer"))}."
                : "No data node has answered the DistCacheAkka client yet.", data: data);
        if (unreachable.Count > 0)
            return HealthCheckResult.Degraded(
                $"{unreachable.Count} of {nodes.Count} data nodes are unreachable: {string.Join(", ", unreachable)}; their shards wait for failover.", data: data);
        return HealthCheckResult.Healthy($"{nodes.Count} data nodes reachable.", data);
    }

    private static async Task<HealthCheckResult> ByStatsAsync(IDistCacheClient other, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var stats = await other.GetStatsAsync(timeout.Token).ConfigureAwait(false);
            if (stats.Nodes.Count == 0)
                return HealthCheckResult.Unhealthy("No data node answered the stats request.");
            return stats.UnansweredNodes.Count > 0
                ? HealthCheckResult.Degraded($"{stats.UnansweredNodes.Count} data nodes did not answer: {string.Join(", ", stats.UnansweredNodes)}.")
                : HealthCheckResult.Healthy($"{stats.Nodes.Count} data nodes answered.");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The cluster did not answer a stats request: {e.Message}", e);
        }
    }
}
