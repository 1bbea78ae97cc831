namespace AmebaOta.Cli;

/// <summary>Writes a file the user named as output, with errors that say which file and why (exit 9).</summary>
public static class OutputFile
{
    public static void Write(FileInfo file, byte[] bytes)
    {
        if (Directory.Exists(file.FullName)) throw new CliError(ExitCodes.IoError, $"cannot write '{file}': it is a directory");
        try
        {
            File.WriteAllBytes(file.FullName, bytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliError(ExitCodes.IoError, $"cannot write '{file}': its directory does not exist or takes no new files");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliError(ExitCodes.IoError, $"cannot write '{file}': permission denied");
        }
        catch (IOException e)
        {
            throw new CliError(ExitCodes.IoError, $"cannot write '{file}': {ErrorText.Describe(e)}");
        }
    }
}
