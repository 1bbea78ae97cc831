using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AmebaOta.Fleet.History;

public sealed partial class HistoryStore
{
    private const string UploadColumns = """
        u.id, u.board, u.address, u.port, i.sha256, i.size, i.file_name, i.checksum, i.sketch_version, u.rollout_id, u.command,
        u.started_at, u.ended_at, u.outcome, u.error, u.exit_code, u.attempts, u.reboot_ms, u.family
        """;

    /// <summary>Uploads matching <paramref name="filter"/>, oldest first.</summary>
    public IReadOnlyList<UploadRecord> Uploads(HistoryFilter? filter = null) => Read(c =>
    {
        filter ??= new HistoryFilter();
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (filter.Board is { } board) { where.Add("u.board = $board"); parameters.Add(("$board", board)); }
        if (filter.ImageSha is { } sha) { where.Add("u.image_sha256 LIKE $sha"); parameters.Add(("$sha", sha.ToLowerInvariant() + "%")); }
        if (filter.Since is { } since) { where.Add("u.started_at >= $since"); parameters.Add(("$since", Time(since))); }
        if (filter.RolloutId is { } rollout) { where.Add("u.rollout_id = $rollout"); parameters.Add(("$rollout", rollout)); }
        string sql = $"SELECT {UploadColumns} FROM uploads u JOIN images i ON i.sha256 = u.image_sha256" +
                     (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY u.started_at, u.id";
        using var command = Command(c, null, sql, [.. parameters]);
        using var reader = command.ExecuteReader();
        var result = new List<UploadRecord>();
        while (reader.Read()) result.Add(ReadUpload(reader, 0));
        return result;
    });

    /// <summary>Every board ever seen or updated, by name, with its last update and the image it is believed to run.</summary>
    public IReadOnlyList<BoardSummary> Boards() => Read(c =>
    {
        var boards = new List<(string Name, string? Address, int? Port, string? Host, string? BoardId, DateTimeOffset FirstSeen, DateTimeOffset? LastSeen, string Family)>();
        using (var command = Command(c, null, "SELECT name, address, port, host, board_id, first_seen, last_seen, family FROM boards ORDER BY name"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                boards.Add((reader.GetString(0), Text(reader, 1), reader.IsDBNull(2) ? null : reader.GetInt32(2), Text(reader, 3), Text(reader, 4),
                    ParseTime(reader.GetString(5)), Text(reader, 6) is { } seen ? ParseTime(seen) : null, reader.GetString(7)));
        }
        return boards.Select(b => new BoardSummary(b.Name, b.Address, b.Port, b.Host, b.BoardId, b.FirstSeen, b.LastSeen,
            LastUpload(c, b.Name, "'sent', 'rebooted', 'not-back'"), LastUpload(c, b.Name, "'sent', 'rebooted'")) { Family = b.Family }).ToList();
    });

    /// <summary>One board's summary, or null if the history has never heard of it.</summary>
    public BoardSummary? Board(string name) => Boards().FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    private static UploadRecord? LastUpload(SqliteConnection c, string board, string outcomes)
    {
        using var command = Command(c, null, $"""
            SELECT {UploadColumns} FROM uploads u JOIN images i ON i.sha256 = u.image_sha256
            WHERE u.board = $board AND u.outcome IN ({outcomes}) ORDER BY u.ended_at DESC, u.id DESC LIMIT 1
            """, ("$board", board));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadUpload(reader, 0) : null;
    }

    private static UploadRecord ReadUpload(SqliteDataReader r, int o) => new(
        r.GetInt64(o), r.GetString(o + 1), r.GetString(o + 2), r.GetInt32(o + 3),
        new ImageIdentity(r.GetString(o + 4), r.GetInt64(o + 5), r.GetString(o + 6), (uint)r.GetInt64(o + 7), r.IsDBNull(o + 8) ? null : (uint)r.GetInt64(o + 8))
        {
            Family = r.GetString(o + 18),
        },
        r.IsDBNull(o + 9) ? null : r.GetInt64(o + 9), r.GetString(o + 10),
        ParseTime(r.GetString(o + 11)), Text(r, o + 12) is { } ended ? ParseTime(ended) : null, UploadOutcomeNames.Parse(Text(r, o + 13)),
        Text(r, o + 14), r.IsDBNull(o + 15) ? null : r.GetInt32(o + 15), r.IsDBNull(o + 16) ? null : r.GetInt32(o + 16),
        r.IsDBNull(o + 17) ? null : r.GetDouble(o + 17)) { Family = r.GetString(o + 18) };

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>The images recorded whose SHA-256 starts with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> ImagesStartingWith(string prefix) => Read(c =>
    {
        using var command = Command(c, null, "SELECT sha256 FROM images WHERE sha256 LIKE $p ORDER BY sha256", ("$p", prefix.ToLowerInvariant() + "%"));
        using var reader = command.ExecuteReader();
        var result = new List<string>();
        while (reader.Read()) result.Add(reader.GetString(0));
        return result;
    });

    /// <summary><c>PRAGMA integrity_check</c>: "ok" for a sound file.</summary>
    public string IntegrityCheck() => Read(c => Convert.ToString(Scalar(c, null, "PRAGMA integrity_check;"), CultureInfo.InvariantCulture) ?? "");
}
