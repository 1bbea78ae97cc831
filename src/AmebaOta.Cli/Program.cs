using System.CommandLine;
using AmebaOta.Cli.Commands;

namespace AmebaOta.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = BuildRootCommand();
        return root.Parse(args).Invoke();
    }

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(
            "ameba-ota: over-the-air update for Realtek Ameba boards (RTL8195A, RTL8710), and a virtual Ameba to try it on.\n" +
            "Example: ameba-ota image make --version 2 -o v2.bin && ameba-ota upload v2.bin --ip 192.168.1.50");
        root.Add(ImageCommands.Build());
        root.Add(FlashCommands.Build());
        root.Add(DiscoverCommands.Discover());
        root.Add(DiscoverCommands.Mdns());
        return root;
    }
}
