// Starts `asl-studio lsp` for ASL definitions, SAM / CloudFormation templates and Terraform files.
// The server decides per file what it holds; a template or .tf file without a state machine gets
// no diagnostics.
const { workspace } = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

exports.activate = function activate() {
  const command = workspace.getConfiguration('aslStudio').get('path', 'asl-studio');
  client = new LanguageClient(
    'asl-studio',
    'ASL Studio',
    { command, args: ['lsp'] },
    {
      documentSelector: [
        { scheme: 'file', pattern: '**/*.asl.{json,yaml,yml}' },
        { scheme: 'file', pattern: '**/*template*.{json,yaml,yml}' },
        { scheme: 'file', pattern: '**/*.tf' },
      ],
    },
  );
  return client.start();
};

exports.deactivate = function deactivate() {
  return client ? client.stop() : undefined;
};
