using System.Diagnostics;
using System.Net;
using AmebaOta.Fleet.History;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Database;

/// <summary>
/// BENCHMARKS.md's figure for the history's cost per recorded update (an upload's start and end, two transactions, as every
/// command records them), SQLite file vs PostgreSQL over its unix socket: printed, and bounded so a regression shows.
/// </summary>
public class HistoryCostFigures(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private const int Updates = 300;

    [Fact]
    public async Task The_cost_of_recording_an_update_on_SQLite_and_on_PostgreSQL()
    {
        using var dir = new TempDir();
        var image = new ImageIdentity(new string('d', 64), 262144, "v2.bin", 0x1fdc7b0, 2);
        foreach (var (engine, location) in new[] { ("SQLite", dir.File("h.db")), ("PostgreSQL", await pg.Server.NewDatabaseAsync()) })
        {
            using var store = HistoryStore.Open(location);
            store.RecordImage(image);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Updates; i++)
            {
                var board = new IPEndPoint(IPAddress.Parse($"127.0.{1 + i / 250}.{1 + i % 250}"), 5000);
                long id = store.BeginUpload(new UploadStart($"MyAmeba-{i:000}", board, true, image, "fleet upload"));
                store.FinishUpload(id, new UploadEnd(UploadOutcome.Rebooted, RebootTime: TimeSpan.FromMilliseconds(900)));
            }
            double perUpdate = clock.Elapsed.TotalMilliseconds / Updates;
            Assert.Equal(Updates, store.Uploads().Count);
            Console.WriteLine($"[figure] history on {engine}: {perUpdate:0.00} ms per recorded update (start + end, {Updates} updates, one writer)");
            Assert.True(perUpdate < 50, $"{engine}: {perUpdate:0.0} ms per update");
        }
    }
}
