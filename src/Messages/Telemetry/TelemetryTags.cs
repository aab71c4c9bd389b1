namespace DistCacheAkka.Messages.Telemetry;

/// <summary>
/// The attribute sets of request measurements, built once: (operation, consistency level, outcome) has a few hundred
/// combinations, so recording a request passes a ready array and allocates nothing.
/// </summary>
public static class TelemetryTags
{
    private const int NoLevel = DistCacheTelemetry.LevelCount;
    private static readonly KeyValuePair<string, object?>[][][][] Table = Build();

    /// <summary>
    /// The attributes <c>db.operation.name</c>, <c>distcache.consistency_level</c> (left out when
    /// <paramref name="level"/> is null) and <c>distcache.outcome</c>. The array is shared: never change it.
    /// </summary>
    public static KeyValuePair<string, object?>[] For(TelemetryOperation operation, ConsistencyLevel? level, TelemetryOutcome outcome) =>
        Table[(int)operation][level is { } l ? DistCacheTelemetry.LevelIndex(l) : NoLevel][(int)outcome];

    private static KeyValuePair<string, object?>[][][][] Build()
    {
        var levels = new ConsistencyLevel?[] { ConsistencyLevel.Eventual, ConsistencyLevel.Quorum, ConsistencyLevel.Strong, (ConsistencyLevel)255, null };
        var table = new KeyValuePair<string, object?>[DistCacheTelemetry.OperationCount][][][];
        for (var op = 0; op < table.Length; op++)
        {
            table[op] = new KeyValuePair<string, object?>[levels.Length][][];
            for (var l = 0; l < levels.Length; l++)
            {
                table[op][l] = new KeyValuePair<string, object?>[DistCacheTelemetry.OutcomeCount][];
                for (var outcome = 0; outcome < DistCacheTelemetry.OutcomeCount; outcome++)
                {
                    var tags = new List<KeyValuePair<string, object?>>(3)
                    {
                        new(DistCacheTelemetry.OperationAttribute, DistCacheTelemetry.Name((TelemetryOperation)op)),
                    };
                    if (levels[l] is { } level)
                        tags.Add(new(DistCacheTelemetry.ConsistencyAttribute, DistCacheTelemetry.LevelName(level)));
                    tags.Add(new(DistCacheTelemetry.OutcomeAttribute, DistCacheTelemetry.Name((TelemetryOutcome)outcome)));
                    table[op][l][outcome] = tags.ToArray();
                }
            }
        }

        return table;
    }
}
