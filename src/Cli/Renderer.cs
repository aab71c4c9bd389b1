using System.Text.Json;
using Spectre.Console;

namespace DistCacheAkka.Cli;

/// <summary>
/// Draws a reply for people: scalar fields as a two-column table, each list of objects as its own table (columns from
/// the objects' fields), and for <c>cache distribution</c> a bar chart of keys per node. Scripts use --json instead.
/// </summary>
internal sealed class Renderer(IAnsiConsole console)
{
    public void Render(CommandSpec spec, JsonElement reply)
    {
        if (reply.ValueKind != JsonValueKind.Object)
        {
            console.WriteLine(reply.ToString());
            return;
        }

        var fields = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape($"{spec.Palette} {spec.Name}")}[/]")
            .AddColumn("field").AddColumn("value");
        var lists = new List<(string Name, JsonElement Items)>();
        foreach (var property in reply.EnumerateObject())
            AddField(fields, lists, property.Name, property.Value);
        if (fields.Rows.Count > 0)
            console.Write(fields);

        foreach (var (name, items) in lists)
            console.Write(ListTable(name, items));

        if (spec is { Palette: "cache", Name: "distribution" } && reply.TryGetProperty("nodes", out var nodes) && nodes.GetArrayLength() > 0)
        {
            var chart = new BarChart().Label("[bold]keys per node[/]").Width(Math.Min(100, console.Profile.Width));
            foreach (var node in nodes.EnumerateArray())
                chart.AddItem(Markup.Escape(node.GetProperty("node").GetString() ?? "?"), node.GetProperty("keys").GetDouble(), Color.Green);
            console.Write(chart);
        }
    }

    private static void AddField(Table fields, List<(string, JsonElement)> lists, string name, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array when value.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Object):
                lists.Add((name, value));
                break;
            case JsonValueKind.Object:
                foreach (var inner in value.EnumerateObject())
                    AddField(fields, lists, $"{name}.{inner.Name}", inner.Value);
                break;
            default:
                fields.AddRow(Markup.Escape(name), Markup.Escape(Scalar(value)));
                break;
        }
    }

    private static Table ListTable(string name, JsonElement items)
    {
        var columns = items.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object)
            .SelectMany(i => i.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(name)}[/]");
        foreach (var column in columns)
            table.AddColumn(Markup.Escape(column));
        foreach (var item in items.EnumerateArray())
            table.AddRow(columns.Select(c => Markup.Escape(item.TryGetProperty(c, out var v) ? Scalar(v) : "")).ToArray());
        return table;
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "-",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Scalar)),
        _ => value.GetRawText(),
    };
}
